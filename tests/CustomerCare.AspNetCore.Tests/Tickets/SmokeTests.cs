using System.Net;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Tickets;

public sealed class SmokeTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Me_answers()
    {
        var me = await fixture.Host.As(Users.BankAdmin).MeAsync();
        Assert.Equal("admin", me.Str("role"));
        var t = await fixture.Host.As("c1").CreateTicketAsync();
        Assert.Equal("new", t.Str("status"));
    }
}
