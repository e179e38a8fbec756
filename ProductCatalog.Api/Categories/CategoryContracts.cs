namespace ProductCatalog.Api.Categories;

public sealed record CategoryWriteRequest
{
    /// <example>Outdoor</example>
    public string? Name { get; init; }

    public string? Description { get; init; }
}

public sealed record CategoryResponse(int Id, string Name, string? Description, int ProductCount);
