using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.SampleHost.Identity;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Identity;

namespace CustomerCare.SampleHost.Seeding;

/// <summary>Seeds three demo tenants — a bank, a telecom and an insurer — each with an admin, two agents, a customer and a few tickets.</summary>
internal static class DemoData
{
    /// <summary>The password of every demo account (listed in the README).</summary>
    public const string Password = "Demo-pass-2026";

    public sealed record DemoTenant(string Id, string Name, string Prefix, string Color, CustomFieldDefinition Field, string[] Categories);

    public static readonly DemoTenant[] Tenants =
    [
        new("acme-bank", "Acme Bank", "BANK", "#0b5394",
            new CustomFieldDefinition { Key = "accountNumber", Label = "Account number", Required = false, MaxLength = 34 },
            ["Cards", "Payments", "Loans"]),
        new("globe-telecom", "Globe Telecom", "TEL", "#6a1b9a",
            new CustomFieldDefinition { Key = "billNumber", Label = "Bill number", Required = true, MaxLength = 30 },
            ["Billing", "Network", "Devices"]),
        new("safe-insurance", "Safe Insurance", "INS", "#2e7d32",
            new CustomFieldDefinition { Key = "policyNumber", Label = "Policy number", Required = true, MaxLength = 30 },
            ["Claims", "Policies", "Payments"]),
    ];

    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var store = sp.GetRequiredService<ITenantStore>();
        if ((await store.GetAllAsync(cancellationToken)).Count > 0) return;

        var setter = sp.GetRequiredService<ITenantContextSetter>();
        foreach (var demo in Tenants)
        {
            var tenant = new TenantInfo
            {
                Id = demo.Id,
                Identifier = demo.Id,
                Name = demo.Name,
                Settings = new TenantSettings
                {
                    TicketPrefix = demo.Prefix,
                    Color = demo.Color,
                    SenderName = $"{demo.Name} Support",
                    SenderAddress = $"support@{demo.Id}.example",
                    AgentsSeeUnassigned = true,
                    Categories = [.. demo.Categories],
                    CustomFields = [demo.Field],
                },
            };
            await store.AddAsync(tenant, cancellationToken);
            using var _ = setter.BeginScope(new TenantContext(tenant));
            await SeedTenantAsync(sp, demo, tenant, cancellationToken);
        }
    }

    private static async Task SeedTenantAsync(IServiceProvider sp, DemoTenant demo, TenantInfo tenant, CancellationToken ct)
    {
        var users = sp.GetRequiredService<UserManager<SampleUser>>();
        var staff = sp.GetRequiredService<IStaffStore>();
        var tickets = sp.GetRequiredService<TicketManager>();
        var customers = sp.GetRequiredService<CustomerCare.Customers.CustomerManager>();
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();

        async Task<SampleUser> User(string local, string name)
        {
            var email = $"{local}@{demo.Id}.example";
            var user = new SampleUser { TenantId = tenant.Id, UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
            var result = await users.CreateAsync(user, Password);
            if (!result.Succeeded) throw new InvalidOperationException($"Seeding {email} failed: {string.Join(" ", result.Errors.Select(e => e.Description))}");
            return user;
        }

        var admin = await User("admin", $"{demo.Name} Admin");
        var agent1 = await User("agent1", "Alex Agent");
        var agent2 = await User("agent2", "Sam Agent");
        var customer = await User("customer", "Casey Customer");

        await staff.AddAsync(new StaffMember { TenantId = tenant.Id, UserId = admin.Id, DisplayName = admin.DisplayName!, Email = admin.Email!, Role = ActorRole.Admin, CreatedAt = now }, ct);
        await staff.AddAsync(new StaffMember { TenantId = tenant.Id, UserId = agent1.Id, DisplayName = agent1.DisplayName!, Email = agent1.Email!, Role = ActorRole.Agent, CreatedAt = now }, ct);
        await staff.AddAsync(new StaffMember { TenantId = tenant.Id, UserId = agent2.Id, DisplayName = agent2.DisplayName!, Email = agent2.Email!, Role = ActorRole.Agent, CreatedAt = now }, ct);
        await customers.EnsureProfileAsync(customer.Id, customer.DisplayName!, customer.Email, ct);

        var adminActor = new Actor(tenant.Id, admin.Id, ActorRole.Admin, admin.DisplayName!, admin.Email);
        var agentActor = new Actor(tenant.Id, agent1.Id, ActorRole.Agent, agent1.DisplayName!, agent1.Email);
        var customerActor = new Actor(tenant.Id, customer.Id, ActorRole.Customer, customer.DisplayName!, customer.Email);
        var field = new Dictionary<string, string?> { [demo.Field.Key] = $"{demo.Prefix}-{Random.Shared.Next(100000, 999999)}" };

        var first = (await tickets.CreateAsync(customerActor, new CreateTicketRequest
        {
            Subject = "I was charged twice this month",
            Description = "My statement shows the same payment twice. Please refund one of them.",
            Priority = TicketPriority.High,
            Category = demo.Categories[0],
            CustomFields = field,
            Channel = TicketChannel.Web,
        }, null, ct)).Value;
        await tickets.AssignAsync(adminActor, first.Id, agent1.Id, null, ct);
        await tickets.PostMessageAsync(agentActor, first.Id, new PostMessageRequest { Body = "Thanks for reporting this. I can see the duplicate and have started a refund." }, null, ct);
        await tickets.PostMessageAsync(customerActor, first.Id, new PostMessageRequest { Body = "Great, thank you! How long will it take?" }, null, ct);

        var second = (await tickets.CreateAsync(customerActor, new CreateTicketRequest
        {
            Subject = "Cannot sign in to the mobile app",
            Description = "The app says my session expired every time I open it.",
            Category = demo.Categories[1],
            CustomFields = field,
            Channel = TicketChannel.Web,
        }, null, ct)).Value;
        await tickets.AssignAsync(adminActor, second.Id, agent2.Id, null, ct);
        await tickets.ResolveAsync(new Actor(tenant.Id, agent2.Id, ActorRole.Agent, agent2.DisplayName!, agent2.Email), second.Id, null, ct);

        await tickets.CreateAsync(customerActor, new CreateTicketRequest
        {
            Subject = "Question about my latest statement",
            Description = "There is a fee I do not recognise on my latest statement.",
            Priority = TicketPriority.Low,
            Category = demo.Categories[2],
            CustomFields = field,
            Channel = TicketChannel.Web,
        }, null, ct);
    }
}
