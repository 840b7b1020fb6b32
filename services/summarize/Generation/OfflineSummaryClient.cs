using System.Text.Json;
using DaprChat.Contracts;
using Microsoft.Extensions.AI;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace DaprChat.Summarize.Generation;

/// <summary>
/// The summariser when no Gemini is configured (a fresh machine, <c>up</c>'s default): behind the same
/// <see cref="IChatClient"/>, it reads the prompt's quoted data and answers the same schema with an extractive draft
/// (the student's own first lines, keyword-flagged risk lines with their citations), labelled as offline throughout.
/// </summary>
public sealed class OfflineSummaryClient : IChatClient
{
    public const string ModelId = "offline-extractive";

    private static readonly string[] RiskWords =
    [
        "suicid", "kill myself", "end my life", "self-harm", "self harm", "hurt myself", "cutting", "overdose",
        "abuse", "hits me", "unsafe", "scared to go home", "want to die", "no reason to live",
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var data = SummaryPrompt.ReadData(messages) ?? new PromptData([], []);
        var studentLines = data.Transcript.Where(l => l.Role == "student").ToList();
        var concerns = studentLines.Take(3).Select(l => Shorten(l.Text, 160)).ToList();
        var risks = data.Transcript
            .Where(l => l.Role == "student" && RiskWords.Any(w => l.Text.Contains(w, StringComparison.OrdinalIgnoreCase)))
            .Select(l => new SummaryRiskIndicator("Possible risk language: \"" + Shorten(l.Text, 120) + "\"", [l.Seq]))
            .Take(SummaryValidator.MaxItems)
            .ToList();
        var change = data.EarlierSummaries.Count == 0
            ? "No earlier summary."
            : $"{data.EarlierSummaries.Count} earlier summary(ies); the latest ({data.EarlierSummaries[0].Date:yyyy-MM-dd}) noted: "
              + Shorten(string.Join("; ", data.EarlierSummaries[0].PresentingConcerns), 300);
        var content = new SummaryContent(
            concerns.Count == 0 ? ["(the student wrote nothing)"] : concerns,
            risks,
            change,
            ["Read the transcript: this offline draft only quotes it.", risks.Count > 0 ? "Review the flagged lines against your safeguarding procedure." : "Agree a next session if the student wants one."],
            $"Offline extractive draft, no AI model was used. The session has {data.Transcript.Count} message(s), {studentLines.Count} from the student"
            + (risks.Count > 0 ? $"; {risks.Count} line(s) contain risk words." : "."));
        return Task.FromResult(new ChatResponse(new AIChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(content, Json))) { ModelId = ModelId });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("offline", null, ModelId)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
