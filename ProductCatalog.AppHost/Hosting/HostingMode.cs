namespace ProductCatalog.AppHost.Hosting;

/// <summary>How the AppHost runs a backing service: configuration key <c>Catalog:&lt;Service&gt;:Mode</c>.</summary>
public enum HostingMode
{
    /// <summary>A container where a container runtime answers, else a local installation.</summary>
    Auto,

    /// <summary>The standard Aspire container.</summary>
    Container,

    /// <summary>A locally installed server started as an executable resource.</summary>
    Local,
}
