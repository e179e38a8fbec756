namespace ProductCatalog.Api.Events;

/// <summary>
/// Completes when the next write commits (or sooner; callers re-check either way). Take the task
/// BEFORE reading, then await it: a commit between the read and the wait still wakes the reader.
/// </summary>
public delegate Task WaitForCatalogChange(CancellationToken ct);
