using Dapr.Client;
using DaprChat.Chat.Sessions;
using Microsoft.Extensions.Options;

namespace DaprChat.Chat.Realtime;

/// <summary>What every socket needs, in one place so a connection's constructor stays readable.</summary>
public sealed class ChatRoomServices(ChatSessionClient sessions, ChatStore store, DaprClient dapr, IOptions<ChatOptions> options, TimeProvider time)
{
    public ChatSessionClient Sessions => sessions;

    public ChatStore Store => store;

    public DaprClient Dapr => dapr;

    public ChatOptions Options => options.Value;

    public TimeProvider Time => time;
}
