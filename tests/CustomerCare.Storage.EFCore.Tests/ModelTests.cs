using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>
/// The EF Core model of both providers: every tenant-owned entity is scoped by the named filter and
/// leads every key and index with <c>TenantId</c> (DESIGN.md §4), and the migrations match the model.
/// </summary>
public sealed class ModelTests
{
    public static TheoryData<string> Providers => ["Sqlite", "PostgreSql"];

    private static CustomerCareDbContext Create(string provider) => provider switch
    {
        "Sqlite" => new SqliteCustomerCareDbContext(
            new DbContextOptionsBuilder<SqliteCustomerCareDbContext>().UseSqlite("Data Source=:memory:").Options, new NoTenant()),
        "PostgreSql" => new NpgsqlCustomerCareDbContext(
            new DbContextOptionsBuilder<NpgsqlCustomerCareDbContext>().UseNpgsql("Host=localhost;Database=model_only").Options, new NoTenant()),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    private static IEnumerable<IEntityType> TenantOwned(DbContext context)
        => context.Model.GetEntityTypes().Where(e => e.ClrType != typeof(TenantRecord));

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_entity_but_the_tenant_directory_is_tenant_owned_with_the_named_filter(string provider)
    {
        using var context = Create(provider);

        var owned = TenantOwned(context).ToList();
        Assert.Equal(13, owned.Count);
        Assert.Single(context.Model.GetEntityTypes(), e => e.ClrType == typeof(TenantRecord));
        foreach (var entity in owned)
        {
            var tenantId = entity.FindProperty("TenantId");
            Assert.True(tenantId is not null, $"{entity.DisplayName()} has no TenantId");
            Assert.False(tenantId.IsNullable, $"{entity.DisplayName()}.TenantId is nullable");
            Assert.Equal(64, tenantId.GetMaxLength());
            Assert.True(entity.FindDeclaredQueryFilter(CustomerCareDbContext.TenantFilter) is not null,
                $"{entity.DisplayName()} has no \"{CustomerCareDbContext.TenantFilter}\" query filter");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_key_index_and_foreign_key_of_tenant_owned_entities_starts_with_TenantId(string provider)
    {
        using var context = Create(provider);
        var offenders = new List<string>();

        foreach (var entity in TenantOwned(context))
        {
            foreach (var key in entity.GetKeys())
                if (key.Properties[0].Name != "TenantId" && !IsActivitySequence(key)) offenders.Add($"key {entity.DisplayName()}({Names(key.Properties)})");
            foreach (var index in entity.GetIndexes())
                if (index.Properties[0].Name != "TenantId" && !IsOutboxDueIndex(index)) offenders.Add($"index {entity.DisplayName()}({Names(index.Properties)})");
            foreach (var foreignKey in entity.GetForeignKeys())
            {
                if (foreignKey.Properties[0].Name != "TenantId") offenders.Add($"foreign key {entity.DisplayName()}({Names(foreignKey.Properties)})");
                if (foreignKey.PrincipalKey.Properties[0].Name != "TenantId") offenders.Add($"principal key of {entity.DisplayName()}({Names(foreignKey.PrincipalKey.Properties)})");
            }
        }

        Assert.True(offenders.Count == 0, "Not led by TenantId: " + string.Join("; ", offenders));
        // The checks above looked at something: tickets have a primary key, five indexes and two dependents.
        var tickets = context.Model.FindEntityType(typeof(CustomerCare.Tickets.Ticket))!;
        Assert.Equal(5, tickets.GetIndexes().Count());
        Assert.Equal(2, tickets.GetReferencingForeignKeys().Count());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_are_complete(string provider)
    {
        using var context = Create(provider);

        Assert.NotEmpty(context.Database.GetMigrations());
        Assert.False(context.Database.HasPendingModelChanges(),
            $"The {provider} model has changes that no migration captures: add a migration with dotnet ef migrations add --context {context.GetType().Name}.");
    }

    /// <summary>
    /// The one exception: the notification dispatcher claims due rows of every tenant at once, so the
    /// outbox has an index on (Status, NextAttemptAt) that is not led by TenantId. It never serves a
    /// tenant's own query; every other outbox index starts with TenantId.
    /// </summary>
    private static bool IsOutboxDueIndex(IReadOnlyIndex index)
        => index.DeclaringEntityType.ClrType == typeof(CustomerCare.Notifications.OutboxNotification)
           && Names(index.Properties) == "Status, NextAttemptAt";

    /// <summary>
    /// The other: the outbox's activities are taken, across tenants, in the order they were written; their key is the
    /// database's own sequence, and they have no other index (see <see cref="The_activities_are_keyed_by_a_sequence_alone"/>).
    /// </summary>
    private static bool IsActivitySequence(IReadOnlyKey key)
        => key.DeclaringEntityType.ClrType == typeof(CustomerCare.Notifications.OutboxActivity) && Names(key.Properties) == "Id";

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_activities_are_keyed_by_a_sequence_alone(string provider)
    {
        using var context = Create(provider);
        var activities = context.Model.FindEntityType(typeof(CustomerCare.Notifications.OutboxActivity))!;

        Assert.Equal("Id", Names(activities.FindPrimaryKey()!.Properties));
        Assert.Equal(Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAdd, activities.FindProperty("Id")!.ValueGenerated);
        Assert.Empty(activities.GetIndexes());
        Assert.Empty(activities.GetForeignKeys());
        Assert.Equal("cc_outbox_activities", activities.GetTableName());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_outbox_has_exactly_one_cross_tenant_index_and_tenant_led_keys(string provider)
    {
        using var context = Create(provider);
        var outbox = context.Model.FindEntityType(typeof(CustomerCare.Notifications.OutboxNotification))!;

        Assert.Equal("TenantId, Id", Names(outbox.FindPrimaryKey()!.Properties));
        Assert.Single(outbox.GetIndexes(), i => i.Properties[0].Name != "TenantId");
        Assert.Equal(4, outbox.GetIndexes().Count());
        Assert.Equal("cc_notifications", outbox.GetTableName());
    }

    private static string Names(IReadOnlyList<IReadOnlyProperty> properties) => string.Join(", ", properties.Select(p => p.Name));
}
