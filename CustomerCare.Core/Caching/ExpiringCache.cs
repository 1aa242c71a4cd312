using System.Collections.Concurrent;

namespace CustomerCare.Caching;

/// <summary>
/// A small in-memory cache whose entries expire after a fixed time (read from <see cref="TimeProvider"/>),
/// bounded in size, with invalidation that cannot be undone by a read that was already in flight: a caller
/// takes <see cref="Version"/> before reading the source and passes it to <see cref="Set"/>; a removal in
/// between makes that write a no-op. Shared by the tenant, actor and admin-recipient caches.
/// </summary>
internal sealed class ExpiringCache<TKey, TValue>(TimeProvider time, int maxEntries, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private sealed record Entry(TValue Value, DateTimeOffset Expires);

    private readonly ConcurrentDictionary<TKey, Entry> _entries = new(comparer);
    private long _version;

    /// <summary>Changes whenever anything is removed; take it before reading the source of a value to cache.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Number of entries held, expired ones included until they are swept.</summary>
    public int Count => _entries.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (entry.Expires > time.GetUtcNow())
            {
                value = entry.Value;
                return true;
            }
            _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
        }
        value = default!;
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="value"/> for <paramref name="duration"/> unless something was removed since
    /// <paramref name="versionBeforeRead"/> was taken (the value may predate that removal). A zero duration caches nothing.
    /// </summary>
    public void Set(TKey key, TValue value, TimeSpan duration, long versionBeforeRead)
    {
        if (duration <= TimeSpan.Zero || Version != versionBeforeRead) return;
        if (_entries.Count >= maxEntries && !_entries.ContainsKey(key)) Sweep();
        var entry = new Entry(value, time.GetUtcNow() + duration);
        _entries[key] = entry;
        // A removal may have run between the check above and the write: then the write must not survive it.
        if (Version != versionBeforeRead) _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
    }

    public void Remove(TKey key)
    {
        Interlocked.Increment(ref _version);
        _entries.TryRemove(key, out _);
    }

    public void RemoveWhere(Func<TKey, bool> predicate)
    {
        Interlocked.Increment(ref _version);
        foreach (var key in _entries.Keys)
            if (predicate(key)) _entries.TryRemove(key, out _);
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var pair in _entries)
            if (pair.Value.Expires <= now) _entries.TryRemove(pair);
        // Still full of live entries: start over rather than track recency on every read.
        if (_entries.Count >= maxEntries) _entries.Clear();
    }
}
