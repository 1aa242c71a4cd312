using CustomerCare.Customers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerCare.AspNetCore.Customers;

/// <summary>Handlers of <c>/me</c> and <c>/customers</c>.</summary>
internal static class CustomerEndpoints
{
    public static async Task<Ok<MeResponse>> GetMe(HttpContext context, CustomerManager customers)
    {
        var actor = context.Actor();
        var tenant = context.GetCustomerCareTenant()!;
        var profile = await customers.GetOwnAsync(actor, context.RequestAborted);
        return TypedResults.Ok(new MeResponse(actor.UserId, actor.DisplayName, actor.Email, profile?.Phone, actor.Role, tenant.Tenant.Identifier, tenant.Tenant.Name));
    }

    public static async Task<Ok<MeResponse>> UpdateMe(HttpContext context, CustomerManager customers)
    {
        var actor = context.Actor();
        var request = await JsonBody.ReadAsync<UpdateProfileRequest>(context);
        var profile = await customers.UpdateOwnAsync(actor, request, context.RequestAborted);
        var tenant = context.GetCustomerCareTenant()!;
        return TypedResults.Ok(new MeResponse(actor.UserId, profile.DisplayName, profile.Email, profile.Phone, actor.Role, tenant.Tenant.Identifier, tenant.Tenant.Name));
    }

    public static async Task<NoContent> DeleteMe(HttpContext context, CustomerManager customers)
    {
        await customers.EraseOwnAsync(context.Actor(), context.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<CustomerPageResponse>> ListCustomers(HttpContext context, CustomerManager customers)
    {
        var page = await customers.ListAsync(context.Actor(), context.Request.Query["cursor"], HttpHelpers.OptionalInt(context, "limit"), context.RequestAborted);
        return TypedResults.Ok(new CustomerPageResponse([.. page.Items.Select(CustomerResponse.From)], page.NextCursor));
    }

    public static async Task<NoContent> DeleteCustomer(string id, HttpContext context, CustomerManager customers)
    {
        await customers.EraseAsync(context.Actor(), id, context.RequestAborted);
        return TypedResults.NoContent();
    }
}
