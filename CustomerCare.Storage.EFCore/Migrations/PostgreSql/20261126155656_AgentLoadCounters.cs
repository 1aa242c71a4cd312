using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.PostgreSql
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
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "cc_agent_loads",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AgentId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    OpenTickets = table.Column<int>(type: "integer", nullable: false)
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
            // whichever code path makes it (EF, ExecuteUpdate, a host's own SQL). Counter rows are touched in agent
            // order, so two opposite reassignments in concurrent transactions cannot deadlock on them.
            migrationBuilder.Sql(
                """
                CREATE FUNCTION cc_tickets_agent_load() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    tenant text;
                    old_agent text;
                    new_agent text;
                BEGIN
                    IF TG_OP <> 'INSERT' THEN
                        tenant := OLD."TenantId";
                        IF OLD."AssigneeId" IS NOT NULL AND OLD."Status" IN (1, 2) THEN old_agent := OLD."AssigneeId"; END IF;
                    END IF;
                    IF TG_OP <> 'DELETE' THEN
                        tenant := NEW."TenantId";
                        IF NEW."AssigneeId" IS NOT NULL AND NEW."Status" IN (1, 2) THEN new_agent := NEW."AssigneeId"; END IF;
                    END IF;
                    IF old_agent IS NOT DISTINCT FROM new_agent THEN RETURN NULL; END IF;
                    IF old_agent IS NOT NULL AND (new_agent IS NULL OR old_agent < new_agent) THEN
                        UPDATE "cc_agent_loads" SET "OpenTickets" = "OpenTickets" - 1 WHERE "TenantId" = tenant AND "AgentId" = old_agent;
                        old_agent := NULL;
                    END IF;
                    IF new_agent IS NOT NULL THEN
                        INSERT INTO "cc_agent_loads" ("TenantId", "AgentId", "OpenTickets") VALUES (tenant, new_agent, 1)
                        ON CONFLICT ("TenantId", "AgentId") DO UPDATE SET "OpenTickets" = "cc_agent_loads"."OpenTickets" + 1;
                    END IF;
                    IF old_agent IS NOT NULL THEN
                        UPDATE "cc_agent_loads" SET "OpenTickets" = "OpenTickets" - 1 WHERE "TenantId" = tenant AND "AgentId" = old_agent;
                    END IF;
                    RETURN NULL;
                END
                $$;
                """);
            migrationBuilder.Sql(
                """
                CREATE TRIGGER cc_tickets_agent_load AFTER INSERT OR DELETE OR UPDATE OF "AssigneeId", "Status" ON "cc_tickets"
                FOR EACH ROW EXECUTE FUNCTION cc_tickets_agent_load();
                """);

            // Any write to the staff directory raises the tenant's staff version, so hosts that cache the directory see the change.
            migrationBuilder.Sql(
                """
                CREATE FUNCTION cc_staff_version() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    tenant text;
                BEGIN
                    IF TG_OP = 'DELETE' THEN tenant := OLD."TenantId"; ELSE tenant := NEW."TenantId"; END IF;
                    INSERT INTO "cc_assignment_state" ("TenantId", "Epoch", "StaffVersion") VALUES (tenant, 0, 1)
                    ON CONFLICT ("TenantId") DO UPDATE SET "StaffVersion" = "cc_assignment_state"."StaffVersion" + 1;
                    RETURN NULL;
                END
                $$;
                """);
            migrationBuilder.Sql(
                """
                CREATE TRIGGER cc_staff_version AFTER INSERT OR UPDATE OR DELETE ON "cc_staff"
                FOR EACH ROW EXECUTE FUNCTION cc_staff_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS cc_tickets_agent_load ON \"cc_tickets\"; DROP FUNCTION IF EXISTS cc_tickets_agent_load();");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS cc_staff_version ON \"cc_staff\"; DROP FUNCTION IF EXISTS cc_staff_version();");

            migrationBuilder.DropTable(
                name: "cc_agent_loads");

            migrationBuilder.DropColumn(
                name: "StaffVersion",
                table: "cc_assignment_state");
        }
    }
}
