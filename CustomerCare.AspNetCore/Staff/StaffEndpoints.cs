using CustomerCare.Assignment;
using CustomerCare.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerCare.AspNetCore.Staff;

/// <summary>Handlers of <c>/agents</c>: the staff directory (admins only).</summary>
internal static class StaffEndpoints
{
    public static async Task<Ok<IReadOnlyList<StaffResponse>>> ListAgents(HttpContext context, StaffManager staff)
    {
        var includeInactive = string.Equals(context.Request.Query["includeInactive"], "true", StringComparison.OrdinalIgnoreCase);
        var members = await staff.ListAsync(context.Actor(), includeInactive, context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<StaffResponse>>([.. members.Select(StaffResponse.From)]);
    }

    public static async Task<Created<StaffResponse>> AddAgent(HttpContext context, StaffManager staff)
    {
        var request = await JsonBody.ReadAsync<AddStaffRequest>(context);
        var member = await staff.AddAsync(context.Actor(), request, context.RequestAborted);
        return TypedResults.Created($"{context.Request.PathBase}{context.Request.Path}/{Uri.EscapeDataString(member.UserId)}", StaffResponse.From(member));
    }

    public static async Task<NoContent> RemoveAgent(string id, HttpContext context, StaffManager staff)
    {
        await staff.DeactivateAsync(context.Actor(), id, context.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<AgentLoad>> UpdateAgent(string id, HttpContext context, AssignmentManager assignment)
    {
        var request = await JsonBody.ReadAsync<UpdateAgentRequest>(context);
        return TypedResults.Ok(await assignment.UpdateAgentAsync(context.Actor(), id, request, context.RequestAborted));
    }

    public static async Task<Ok<AssignmentOverview>> GetAssignment(HttpContext context, AssignmentManager assignment)
        => TypedResults.Ok(await assignment.GetOverviewAsync(context.Actor(), context.RequestAborted));

    public static async Task<Ok<AssignmentOverview>> UpdateAssignment(HttpContext context, AssignmentManager assignment)
    {
        var request = await JsonBody.ReadAsync<UpdateAssignmentRequest>(context);
        return TypedResults.Ok(await assignment.UpdateSettingsAsync(context.Actor(), request, context.RequestAborted));
    }
}
