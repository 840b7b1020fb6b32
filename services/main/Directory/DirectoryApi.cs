using DaprChat.Main.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Directory;

/// <summary>Who can be talked to now, for any signed-in user.</summary>
public static class DirectoryApi
{
    public static IEndpointRouteBuilder MapDirectoryApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/directory").WithTags("Directory").RequireAuthorization().WithProblemResponses();
        group.MapGet("/books", ListAsync);
        group.MapGet("/books/{bookId}", GetAsync);
        return endpoints;
    }

    private static async Task<Ok<IReadOnlyList<BookView>>> ListAsync(DirectoryService directory, CancellationToken cancellationToken, bool available = false) =>
        TypedResults.Ok(await directory.ListAsync(available, null, cancellationToken));

    private static async Task<Results<Ok<BookView>, ProblemHttpResult>> GetAsync(string bookId, DirectoryService directory, CancellationToken cancellationToken)
    {
        var book = await directory.GetAsync(bookId, cancellationToken);
        return book.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(book.Value!);
    }
}
