namespace DaprChat.Main.Security;

/// <summary>Where main's signing keys and pepper come from (section <c>Keys</c>).</summary>
public sealed class KeyOptions
{
    /// <summary>Secret with the current ES256 private key (PKCS#8 PEM). Its kid is the key's RFC 7638 thumbprint.</summary>
    public string SigningKeySecret { get; set; } = "main-signing-key";

    /// <summary>Optional secret with earlier keys (PEMs, one after another), still published so open sessions' tickets verify.</summary>
    public string PreviousSigningKeysSecret { get; set; } = "main-signing-key-previous";

    /// <summary>Secret with the pepper of student keys (HMAC-SHA256 key; only main holds it).</summary>
    public string PepperSecret { get; set; } = "main-student-key-pepper";

    /// <summary>When the secrets store has no key: generate one here on first run. Default: on in Development only.</summary>
    public bool? AllowDevKeys { get; set; }

    /// <summary>Folder for generated dev keys; default <c>{content root}/.keys</c> (git-ignored).</summary>
    public string? DevDirectory { get; set; }

    /// <summary>How often the secrets are read again, so a rotation is picked up without a restart.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}
