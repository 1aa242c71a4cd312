using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AgentLoadCounters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "StaffVersion",
                table: "cc_assignment_state",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "cc_agent_loads",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AgentId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OpenTickets = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cc_agent_loads", x => new { x.TenantId, x.AgentId });
                });

            // Existing tickets: count what the triggers would have counted.
            migrationBuilder.Sql(
                """
                INSERT INTO "cc_agent_loads" ("TenantId", "AgentId", "OpenTickets")
                SELECT "TenantId", "AssigneeId", COUNT(*) FROM "cc_tickets"
                WHERE "AssigneeId" IS NOT NULL AND "Status" IN (1, 2)
                GROUP BY "TenantId", "AssigneeId";
                """);

            // An agent's load is their open (1) and pending (2) tickets. Every write to cc_tickets keeps the counter,
            // whichever code path makes it (EF, ExecuteUpdate, a host's own SQL).
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "cc_tickets_load_insert" AFTER INSERT ON "cc_tickets"
                WHEN NEW."AssigneeId" IS NOT NULL AND NEW."Status" IN (1, 2)
                BEGIN
                    INSERT INTO "cc_agent_loads" ("TenantId", "AgentId", "OpenTickets") VALUES (NEW."TenantId", NEW."AssigneeId", 1)
                    ON CONFLICT ("TenantId", "AgentId") DO UPDATE SET "OpenTickets" = "cc_agent_loads"."OpenTickets" + 1;
                END;
                """);
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "cc_tickets_load_update_old" AFTER UPDATE OF "AssigneeId", "Status" ON "cc_tickets"
                WHEN OLD."AssigneeId" IS NOT NULL AND OLD."Status" IN (1, 2)
                     AND NOT (NEW."AssigneeId" IS OLD."AssigneeId" AND NEW."Status" IN (1, 2))
                BEGIN
                    UPDATE "cc_agent_loads" SET "OpenTickets" = "OpenTickets" - 1
                    WHERE "TenantId" = OLD."TenantId" AND "AgentId" = OLD."AssigneeId";
                END;
                """);
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "cc_tickets_load_update_new" AFTER UPDATE OF "AssigneeId", "Status" ON "cc_tickets"
                WHEN NEW."AssigneeId" IS NOT NULL AND NEW."Status" IN (1, 2)
                     AND NOT (OLD."AssigneeId" IS NEW."AssigneeId" AND OLD."Status" IN (1, 2))
                BEGIN
                    INSERT INTO "cc_agent_loads" ("TenantId", "AgentId", "OpenTickets") VALUES (NEW."TenantId", NEW."AssigneeId", 1)
                    ON CONFLICT ("TenantId", "AgentId") DO UPDATE SET "OpenTickets" = "cc_agent_loads"."OpenTickets" + 1;
                END;
                """);
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "cc_tickets_load_delete" AFTER DELETE ON "cc_tickets"
                WHEN OLD."AssigneeId" IS NOT NULL AND OLD."Status" IN (1, 2)
                BEGIN
                    UPDATE "cc_agent_loads" SET "OpenTickets" = "OpenTickets" - 1
                    WHERE "TenantId" = OLD."TenantId" AND "AgentId" = OLD."AssigneeId";
                END;
                """);

            // Any write to the staff directory raises the tenant's staff version, so hosts that cache the directory see the change.
            foreach (var (operation, row) in new[] { ("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD") })
            {
                migrationBuilder.Sql(
                    $"""
                    CREATE TRIGGER "cc_staff_version_{operation.ToLowerInvariant()}" AFTER {operation} ON "cc_staff"
                    BEGIN
                        INSERT INTO "cc_assignment_state" ("TenantId", "Epoch", "StaffVersion") VALUES ({row}."TenantId", 0, 1)
                        ON CONFLICT ("TenantId") DO UPDATE SET "StaffVersion" = "cc_assignment_state"."StaffVersion" + 1;
                    END;
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in new[] { "cc_tickets_load_insert", "cc_tickets_load_update_old", "cc_tickets_load_update_new", "cc_tickets_load_delete", "cc_staff_version_insert", "cc_staff_version_update", "cc_staff_version_delete" })
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{trigger}\";");

            migrationBuilder.DropTable(
                name: "cc_agent_loads");

            migrationBuilder.DropColumn(
                name: "StaffVersion",
                table: "cc_assignment_state");
        }
    }
}
