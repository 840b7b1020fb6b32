using System.Text.Json;
using DaprChat.Contracts;

namespace DaprChat.Summarize.Generation;

/// <summary>The model's answer, checked against the schema and the transcript.</summary>
public sealed record ValidationResult(SummaryContent? Content, string? Problem)
{
    public bool IsValid => Content is not null;
}

/// <summary>Rejects output that is off-schema, too large, or cites messages the transcript does not have.</summary>
public static class SummaryValidator
{
    public const int MaxItems = 20;
    public const int MaxItemLength = 500;
    public const int MaxNarrativeLength = 4000;

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static ValidationResult Validate(string? text, IReadOnlySet<long> sequences)
    {
        SummaryContent? content;
        try
        {
            content = string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<SummaryContent>(text, Strict);
        }
        catch (JsonException)
        {
            return new(null, "not JSON matching the response schema");
        }

        if (content is null)
        {
            return new(null, "empty answer");
        }

        var lists = new[] { content.PresentingConcerns, content.SuggestedFollowUp, content.RiskIndicators.Select(r => r.Indicator).ToList() };
        if (lists.Any(l => l.Count > MaxItems || l.Any(i => string.IsNullOrWhiteSpace(i) || i.Length > MaxItemLength)))
        {
            return new(null, "a list is too long or has an empty or oversized item");
        }

        if (string.IsNullOrWhiteSpace(content.Narrative) || content.Narrative.Length > MaxNarrativeLength || content.ChangeSinceLastSummary.Length > MaxNarrativeLength)
        {
            return new(null, "the narrative is empty or too long");
        }

        if (content.RiskIndicators.Any(r => r.Citations.Count == 0 || r.Citations.Any(c => !sequences.Contains(c))))
        {
            return new(null, "a risk indicator cites no message or one the transcript does not have");
        }

        return new(content, null);
    }
}
