namespace CustomerCare.AspNetCore.Tests.Infrastructure;

/// <summary>One host per test class (xunit class fixture): the class's tests share it and run one after another.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public ApiHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await ApiHost.StartAsync();

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
