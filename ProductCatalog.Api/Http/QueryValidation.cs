using Microsoft.AspNetCore.Http.HttpResults;

namespace ProductCatalog.Api.Http;

/// <summary>
/// An endpoint's query string checked as text, so every bad parameter is a validation problem that
/// names it (<c>errors.limit</c>). As an endpoint filter it runs before the handler; as endpoint
/// metadata it lets <see cref="CatalogExceptionHandler"/> answer the same problem when the binder
/// could not even parse a value (it throws before any filter runs).
/// </summary>
public sealed class QueryValidation(Action<IQueryCollection, ValidationErrors> validate) : IEndpointFilter
{
    public ValidationProblem? Check(IQueryCollection query)
    {
        var errors = new ValidationErrors();
        validate(query, errors);
        return errors.IsEmpty ? null : CatalogProblems.Validation(errors.ToDictionary());
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Check(context.HttpContext.Request.Query) ?? await next(context);
}

public static class QueryValidationExtensions
{
    public static RouteHandlerBuilder ValidatesQuery(this RouteHandlerBuilder builder, Action<IQueryCollection, ValidationErrors> validate)
    {
        var validation = new QueryValidation(validate);
        return builder.WithMetadata(validation).AddEndpointFilter(validation);
    }
}
