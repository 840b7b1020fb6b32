namespace DaprChat.Testing;

/// <summary>Dapr component manifests for tests and benches, written as a real Dapr install reads them.</summary>
public static class ComponentYaml
{
    /// <summary>One <c>dapr.io/v1alpha1</c> Component document, ending with the <c>---</c> separator.</summary>
    public static string Component(string name, string type, params (string Name, string Value)[] metadata) =>
        $"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: {type}\n  version: v1\n  metadata:"
        + (metadata.Length == 0 ? " []" : string.Concat(metadata.Select(m => $"\n    - name: {m.Name}\n      value: \"{m.Value}\"")))
        + "\n---\n";
}
