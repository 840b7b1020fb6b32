using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace DaprChat.Main.Infrastructure;

/// <summary>main's OpenAPI document: every operation lists its problem responses, and signed-in routes name the bearer scheme.</summary>
public static class OpenApiDocument
{
    public const string BearerScheme = "Bearer";

    public static WebApplicationBuilder AddMainOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "The access token from POST /api/auth/login or /api/auth/refresh.",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (RequiresSignIn(context.Description.ActionDescriptor.EndpointMetadata))
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>
    /// Adds the problem responses an endpoint can give whatever it does: 401/403 when it needs a signed-in user, 400/413
    /// when it reads a body, 404 when its route names something. Endpoints add their own (409, 429, 503) themselves.
    /// </summary>
    public static TBuilder WithProblemResponses<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            void Add(int status)
            {
                if (!metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == status))
                {
                    metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
                }
            }

            if (RequiresSignIn(metadata))
            {
                Add(StatusCodes.Status401Unauthorized);
                if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy is not null || a.Roles is not null))
                {
                    Add(StatusCodes.Status403Forbidden);
                }
            }

            if (metadata.OfType<IAcceptsMetadata>().Any())
            {
                Add(StatusCodes.Status400BadRequest);
                Add(StatusCodes.Status413PayloadTooLarge);
            }

            if (endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 })
            {
                Add(StatusCodes.Status404NotFound);
            }
        });
        return builder;
    }

    private static bool RequiresSignIn(IEnumerable<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
}
