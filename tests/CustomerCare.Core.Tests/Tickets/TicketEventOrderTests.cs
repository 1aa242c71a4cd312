using CustomerCare.Tickets;

namespace CustomerCare.Tests.Tickets;

public sealed class TicketEventOrderTests
{
    [Fact]
    public void The_following_id_sorts_right_after_its_predecessor_in_dotnet_and_in_text_and_keeps_version_and_variant()
    {
        var ids = Enumerable.Range(0, 200).Select(_ => Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddDays(20_000))).ToList();
        foreach (var id in ids)
        {
            var next = TicketEvents.Following(id)!.Value;
            Assert.Equal(7, next.Version);
            Assert.Equal(id.Variant, next.Variant);
            // Nothing sorts between the two: no other id of the list falls in (id, next) under either order.
            Assert.True(id.CompareTo(next) < 0);
            Assert.True(string.CompareOrdinal(id.ToString("D").ToUpperInvariant(), next.ToString("D").ToUpperInvariant()) < 0);
            Assert.DoesNotContain(ids, other => other.CompareTo(id) > 0 && other.CompareTo(next) < 0);
        }
    }

    [Fact]
    public void The_following_id_carries_into_the_next_byte_and_has_none_when_the_random_tail_is_full()
    {
        var carry = Guid.Parse("01900000-0000-7000-80ff-ffffffffffff");
        Assert.Equal(Guid.Parse("01900000-0000-7000-8100-000000000000"), TicketEvents.Following(carry));
        Assert.Null(TicketEvents.Following(Guid.Parse("01900000-0000-7000-bfff-ffffffffffff")));
    }
}
