using LocalDapr.Cli;
using LocalDapr.Components;

StopSignals.AllowInterrupt();
try
{
    return args switch
    {
        ["sidecar", .. var rest] => await SidecarCommand.RunAsync(rest),
        ["up", .. var rest] => await UpCommand.RunAsync(rest),
        ["version"] => Print($"local-dapr {LocalDapr.Api.MetadataApi.RuntimeVersion} (behaves as daprd 1.16 for DaprChat's subset)"),
        _ => Print("""
            local-dapr: a stand-in for daprd on machines without Dapr.

              local-dapr up [-f dapr.yaml] [--profile memory|redis] [--redis-host HOST:PORT]
                  builds and starts every app of a dapr.yaml run template, each behind its own sidecar
              local-dapr sidecar --app-id ID [--app-port N] [--dapr-http-port N] [--dapr-grpc-port N] [--resources-path DIR]...
                  one sidecar for one app, taking daprd's own flags
              local-dapr version
            """, 2),
    };
}
catch (LocalDaprConfigException ex)
{
    Console.Error.WriteLine("local-dapr: " + ex.Message);
    return 1;
}

static int Print(string text, int code = 0)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine(text);
    return code;
}
