using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AssignmentCursorTrigger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A ticket inserted already assigned is an automatic assignment at creation (the engine decides before the
            // insert when nothing else is queued): the insert itself moves the tenant's round-robin cursor, so the
            // engine sends no separate cursor update (one EF command per create on SQLite).
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "cc_tickets_cursor_insert" AFTER INSERT ON "cc_tickets"
                WHEN NEW."AssigneeId" IS NOT NULL AND NEW."Status" IN (1, 2)
                BEGIN
                    UPDATE "cc_assignment_state" SET "LastAssignedAgentId" = NEW."AssigneeId" WHERE "TenantId" = NEW."TenantId";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"cc_tickets_cursor_insert\";");
        }
    }
}
