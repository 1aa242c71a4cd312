using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class NotificationQueueIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cc_notifications_due",
                table: "cc_notifications");

            migrationBuilder.DropIndex(
                name: "IX_cc_notifications_TenantId_CoalesceKey",
                table: "cc_notifications");

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_due",
                table: "cc_notifications",
                columns: new[] { "Status", "NextAttemptAt" },
                filter: "\"Status\" IN (0, 1)");

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_TenantId_CoalesceKey",
                table: "cc_notifications",
                columns: new[] { "TenantId", "CoalesceKey" },
                filter: "\"CoalesceKey\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cc_notifications_due",
                table: "cc_notifications");

            migrationBuilder.DropIndex(
                name: "IX_cc_notifications_TenantId_CoalesceKey",
                table: "cc_notifications");

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_due",
                table: "cc_notifications",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_cc_notifications_TenantId_CoalesceKey",
                table: "cc_notifications",
                columns: new[] { "TenantId", "CoalesceKey" });
        }
    }
}
