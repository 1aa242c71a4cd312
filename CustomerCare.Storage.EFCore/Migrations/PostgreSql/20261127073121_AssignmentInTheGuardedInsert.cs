using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerCare.Storage.EFCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AssignmentInTheGuardedInsert : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The optimistic create (OutboxWriter.CreateGuardedTicketAsync) moves the cursor, the epoch and the agent's load itself,
            // as parts of its one prepared statement, and names the ticket in the transaction-local setting
            // customercare.assigned_ticket; the trigger leaves that one insert alone. Every other write keeps the trigger's upkeep.
            migrationBuilder.Sql(
                """
                CREATE OR REPLACE FUNCTION cc_tickets_agent_load() RETURNS trigger LANGUAGE plpgsql AS $$
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
                    -- The engine's guarded insert of a new ticket has already moved the cursor, the epoch and the agent's load
                    -- in the same statement, and named the ticket for the rest of that statement's transaction.
                    IF TG_OP = 'INSERT' AND NEW."Id"::text = current_setting('customercare.assigned_ticket', true) THEN RETURN NULL; END IF;
                    -- A ticket inserted already assigned is an automatic assignment at creation: it moves the round-robin
                    -- cursor, and the epoch with it.
                    IF TG_OP = 'INSERT' AND new_agent IS NOT NULL THEN
                        UPDATE "cc_assignment_state" SET "LastAssignedAgentId" = new_agent, "Epoch" = "Epoch" + 1 WHERE "TenantId" = tenant;
                    ELSIF TG_OP = 'UPDATE' AND NEW."Status" = 0 AND NEW."AssigneeId" IS NULL AND NOT (OLD."Status" = 0 AND OLD."AssigneeId" IS NULL) THEN
                        UPDATE "cc_assignment_state" SET "Epoch" = "Epoch" + 1 WHERE "TenantId" = tenant;
                    ELSIF old_agent IS DISTINCT FROM new_agent THEN
                        UPDATE "cc_assignment_state" SET "Epoch" = "Epoch" + 1 WHERE "TenantId" = tenant;
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                CREATE OR REPLACE FUNCTION cc_tickets_agent_load() RETURNS trigger LANGUAGE plpgsql AS $$
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
                    -- A ticket inserted already assigned is an automatic assignment at creation: it moves the round-robin
                    -- cursor, and the epoch with it.
                    IF TG_OP = 'INSERT' AND new_agent IS NOT NULL THEN
                        UPDATE "cc_assignment_state" SET "LastAssignedAgentId" = new_agent, "Epoch" = "Epoch" + 1 WHERE "TenantId" = tenant;
                    ELSIF TG_OP = 'UPDATE' AND NEW."Status" = 0 AND NEW."AssigneeId" IS NULL AND NOT (OLD."Status" = 0 AND OLD."AssigneeId" IS NULL) THEN
                        UPDATE "cc_assignment_state" SET "Epoch" = "Epoch" + 1 WHERE "TenantId" = tenant;
                    ELSIF old_agent IS DISTINCT FROM new_agent THEN
                        UPDATE "cc_assignment_state" SET "Epoch" = "Epoch" + 1 WHERE "TenantId" = tenant;
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
        }
    }
}
