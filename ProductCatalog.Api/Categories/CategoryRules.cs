namespace ProductCatalog.Api.Categories;

public static class CategoryRules
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;

    public static (string Name, string? Description)? Validate(CategoryWriteRequest request, ValidationErrors errors)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors.Add("name", $"Required; 1 to {MaxNameLength} characters after trimming.");
        }
        else if (TextRules.HasForbiddenCharacters(name))
        {
            errors.Add("name", "Must not contain control characters.");
        }

        if (request.Description is { } description
            && (description.Length > MaxDescriptionLength || TextRules.HasForbiddenCharacters(description, multiLine: true)))
        {
            errors.Add("description", $"At most {MaxDescriptionLength} characters, no control characters other than tabs and line breaks.");
        }

        return errors.IsEmpty ? (name!, request.Description) : null;
    }
}
