using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Assignment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Availability",
                table: "cc_staff",
                type: "integer",
                nullable: false,
                defaultValue: 2) /* existing staff stay available: AgentAvailability.Online */;

            migrationBuilder.AddColumn<int>(
                name: "Capacity",
                table: "cc_staff",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Groups",
                table: "cc_staff",
                type: "character varying(6000)",
                maxLength: 6000,
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateTable(
                name: "cc_assignment_state",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LastAssignedAgentId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Epoch = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cc_assignment_state", x => x.TenantId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_cc_tickets_TenantId_Status_Priority_Number",
                table: "cc_tickets",
                columns: new[] { "TenantId", "Status", "Priority", "Number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cc_assignment_state");

            migrationBuilder.DropIndex(
                name: "IX_cc_tickets_TenantId_Status_Priority_Number",
                table: "cc_tickets");

            migrationBuilder.DropColumn(
                name: "Availability",
                table: "cc_staff");

            migrationBuilder.DropColumn(
                name: "Capacity",
                table: "cc_staff");

            migrationBuilder.DropColumn(
                name: "Groups",
                table: "cc_staff");
        }
    }
}
