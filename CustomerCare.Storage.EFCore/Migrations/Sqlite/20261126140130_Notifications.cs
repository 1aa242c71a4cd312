using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Notifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cc_notification_optouts",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cc_notification_optouts", x => new { x.TenantId, x.UserId, x.Kind });
                });

            migrationBuilder.CreateTable(
                name: "cc_notification_templates",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Text = table.Column<string>(type: "TEXT", nullable: false),
                    Html = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cc_notification_templates", x => new { x.TenantId, x.Kind });
                });

            migrationBuilder.CreateTable(
                name: "cc_notifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    RecipientUserId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RecipientAddress = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    RecipientName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    TicketId = table.Column<Guid>(type: "TEXT", nullable: true),
                    TicketReference = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    DataJson = table.Column<string>(type: "TEXT", nullable: false),
                    CoalesceKey = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ClaimedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    ClaimedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cc_notifications", x => new { x.TenantId, x.Id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_due",
                table: "cc_notifications",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_TenantId_CoalesceKey",
                table: "cc_notifications",
                columns: new[] { "TenantId", "CoalesceKey" });

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_TenantId_RecipientUserId_Status",
                table: "cc_notifications",
                columns: new[] { "TenantId", "RecipientUserId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_TenantId_Status_Id",
                table: "cc_notifications",
                columns: new[] { "TenantId", "Status", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cc_notification_optouts");

            migrationBuilder.DropTable(
                name: "cc_notification_templates");

            migrationBuilder.DropTable(
                name: "cc_notifications");
        }
    }
}
