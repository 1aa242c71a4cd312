using CustomerCare.Storage.EFCore.Tests.TestSupport;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>The store conformance tests on SQLite: a temp-file database migrated with the SQLite migrations.</summary>
public sealed class SqliteStoreConformanceTests(SqliteDatabaseFixture db)
    : StoreConformanceTests(db), IClassFixture<SqliteDatabaseFixture>;
