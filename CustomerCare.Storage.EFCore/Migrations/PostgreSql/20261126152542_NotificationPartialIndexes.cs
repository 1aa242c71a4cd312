using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class NotificationPartialIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cc_notifications_TenantId_RecipientUserId_Status",
                table: "cc_notifications");

            migrationBuilder.DropIndex(
                name: "IX_cc_notifications_TenantId_Status_Id",
                table: "cc_notifications");

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_dead",
                table: "cc_notifications",
                columns: new[] { "TenantId", "Id" },
                filter: "\"Status\" = 3");

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_sent",
                table: "cc_notifications",
                columns: new[] { "TenantId", "RecipientUserId" },
                filter: "\"Status\" = 2");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cc_notifications_dead",
                table: "cc_notifications");

            migrationBuilder.DropIndex(
                name: "IX_cc_notifications_sent",
                table: "cc_notifications");

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_TenantId_RecipientUserId_Status",
                table: "cc_notifications",
                columns: new[] { "TenantId", "RecipientUserId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_TenantId_Status_Id",
                table: "cc_notifications",
                columns: new[] { "TenantId", "Status", "Id" });
        }
    }
}
