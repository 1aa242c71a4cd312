using System.Xml.Linq;
using CustomerCare.Tickets;

namespace CustomerCare.Tests;

/// <summary>DESIGN.md §1: Core has no ASP.NET Core and no EF Core, so any front end and any store can use it.</summary>
public sealed class DependencyTests
{
    private static readonly string[] AllowedPackages =
    [
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Options",
        "Microsoft.Extensions.Logging.Abstractions",
    ];

    // Assemblies the allowed packages bring along (Options uses Primitives).
    private static readonly string[] AllowedAssemblies = [.. AllowedPackages, "Microsoft.Extensions.Primitives"];

    private static bool IsBcl(string name)
        => name is "System" or "mscorlib" or "netstandard" || name.StartsWith("System.", StringComparison.Ordinal);

    [Fact]
    public void Core_references_no_AspNetCore_or_EFCore()
    {
        var referenced = typeof(TicketManager).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.NotEmpty(referenced);
        Assert.DoesNotContain(referenced, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(referenced, n => n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(referenced, n => n.StartsWith("Npgsql", StringComparison.Ordinal));
        var unexpected = referenced.Where(n => !IsBcl(n) && !AllowedAssemblies.Contains(n)).ToList();
        Assert.True(unexpected.Count == 0, $"CustomerCare.Core references unexpected assemblies: {string.Join(", ", unexpected)}");
    }

    [Fact]
    public void Core_project_references_only_the_abstraction_packages()
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), "CustomerCare.Core", "CustomerCare.Core.csproj"));

        var packages = project.Descendants("PackageReference").Select(e => (string?)e.Attribute("Include")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(AllowedPackages.Order(StringComparer.Ordinal), packages);
        Assert.Empty(project.Descendants("ProjectReference"));
        Assert.Empty(project.Descendants("FrameworkReference"));
        Assert.Equal("Microsoft.NET.Sdk", (string?)project.Root!.Attribute("Sdk"));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CustomerCare.Core", "CustomerCare.Core.csproj"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Cannot find the repository root above {AppContext.BaseDirectory}.");
    }

}
