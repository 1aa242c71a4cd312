using CustomerCare.Storage.EFCore.Tests.TestSupport;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>
/// The store conformance tests on PostgreSQL: a database of its own, migrated with the PostgreSQL
/// migrations. Skips with a reason when <c>CUSTOMERCARE_TEST_POSTGRES</c> is not set.
/// </summary>
public sealed class PostgreSqlStoreConformanceTests(PostgreSqlDatabaseFixture db)
    : StoreConformanceTests(db), IClassFixture<PostgreSqlDatabaseFixture>;
