using CustomerCare;
using CustomerCare.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.Storage.EFCore.Notifications;

/// <summary>
/// Runs the <see cref="NotificationDispatcher"/> for the host's lifetime: drains due notifications,
/// then waits until something is written in this process or the poll interval passes (which also
/// picks up retries and rows written by other host instances). Does nothing without a channel or
/// with <see cref="NotificationOptions.RunDispatcher"/> off.
/// </summary>
internal sealed partial class NotificationDispatcherService(
    NotificationDispatcher dispatcher,
    NotificationSignal signal,
    IOptions<CustomerCareOptions> options,
    ILogger<NotificationDispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Notifications;
        if (!settings.RunDispatcher || !dispatcher.HasChannels)
        {
            NotRunning(logger);
            return;
        }
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await dispatcher.DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database may be down or not migrated yet: try again after the poll interval.
                DispatchFailed(logger, ex);
                claimed = 0;
            }
            if (claimed > 0) continue;
            try
            {
                await signal.WaitAsync(settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "The notification dispatcher is not running on this host (no channel registered, or Notifications.RunDispatcher is off)")]
    private static partial void NotRunning(ILogger logger);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Error, Message = "Dispatching notifications failed; retrying after the poll interval")]
    private static partial void DispatchFailed(ILogger logger, Exception exception);
}
