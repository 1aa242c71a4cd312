using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AssignmentEpochTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The engine assigns a new ticket from its snapshot of the tenant's state (loads, cursor, staff version) and writes
            // it only if the state row's epoch is still the one the snapshot was taken at. So every change of an agent's load
            // advances the epoch too, whichever code path makes it; an assigned ticket's insert advances it with the cursor.
            // (A ticket becoming queued is seen by the write's own probe of the queue: SQLite has one writer at a time.)
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"cc_tickets_cursor_insert\";");
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "cc_tickets_cursor_insert" AFTER INSERT ON "cc_tickets"
                WHEN NEW."AssigneeId" IS NOT NULL AND NEW."Status" IN (1, 2)
                BEGIN
                    UPDATE "cc_assignment_state" SET "LastAssignedAgentId" = NEW."AssigneeId", "Epoch" = "Epoch" + 1 WHERE "TenantId" = NEW."TenantId";
                END;
                """);
            CreateLoadTriggers(migrationBuilder, """
                    UPDATE "cc_assignment_state" SET "Epoch" = "Epoch" + 1 WHERE "TenantId" = {0}."TenantId";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"cc_tickets_cursor_insert\";");
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "cc_tickets_cursor_insert" AFTER INSERT ON "cc_tickets"
                WHEN NEW."AssigneeId" IS NOT NULL AND NEW."Status" IN (1, 2)
                BEGIN
                    UPDATE "cc_assignment_state" SET "LastAssignedAgentId" = NEW."AssigneeId" WHERE "TenantId" = NEW."TenantId";
                END;
                """);
            CreateLoadTriggers(migrationBuilder, "");
        }

        /// <summary>The load triggers of migration AgentLoadCounters for updates and deletes, with <paramref name="epoch"/> (<c>{0}</c> is the row) before the counter's change.</summary>
        private static void CreateLoadTriggers(MigrationBuilder migrationBuilder, string epoch)
        {
            foreach (var trigger in new[] { "cc_tickets_load_update_old", "cc_tickets_load_update_new", "cc_tickets_load_delete" })
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{trigger}\";");
            migrationBuilder.Sql(
                $"""
                CREATE TRIGGER "cc_tickets_load_update_old" AFTER UPDATE OF "AssigneeId", "Status" ON "cc_tickets"
                WHEN OLD."AssigneeId" IS NOT NULL AND OLD."Status" IN (1, 2)
                     AND NOT (NEW."AssigneeId" IS OLD."AssigneeId" AND NEW."Status" IN (1, 2))
                BEGIN
                {string.Format(System.Globalization.CultureInfo.InvariantCulture, epoch, "OLD")}
                    UPDATE "cc_agent_loads" SET "OpenTickets" = "OpenTickets" - 1
                    WHERE "TenantId" = OLD."TenantId" AND "AgentId" = OLD."AssigneeId";
                END;
                """);
            migrationBuilder.Sql(
                $"""
                CREATE TRIGGER "cc_tickets_load_update_new" AFTER UPDATE OF "AssigneeId", "Status" ON "cc_tickets"
                WHEN NEW."AssigneeId" IS NOT NULL AND NEW."Status" IN (1, 2)
                     AND NOT (OLD."AssigneeId" IS NEW."AssigneeId" AND OLD."Status" IN (1, 2))
                BEGIN
                {string.Format(System.Globalization.CultureInfo.InvariantCulture, epoch, "NEW")}
                    INSERT INTO "cc_agent_loads" ("TenantId", "AgentId", "OpenTickets") VALUES (NEW."TenantId", NEW."AssigneeId", 1)
                    ON CONFLICT ("TenantId", "AgentId") DO UPDATE SET "OpenTickets" = "cc_agent_loads"."OpenTickets" + 1;
                END;
                """);
            migrationBuilder.Sql(
                $"""
                CREATE TRIGGER "cc_tickets_load_delete" AFTER DELETE ON "cc_tickets"
                WHEN OLD."AssigneeId" IS NOT NULL AND OLD."Status" IN (1, 2)
                BEGIN
                {string.Format(System.Globalization.CultureInfo.InvariantCulture, epoch, "OLD")}
                    UPDATE "cc_agent_loads" SET "OpenTickets" = "OpenTickets" - 1
                    WHERE "TenantId" = OLD."TenantId" AND "AgentId" = OLD."AssigneeId";
                END;
                """);
        }
    }
}
