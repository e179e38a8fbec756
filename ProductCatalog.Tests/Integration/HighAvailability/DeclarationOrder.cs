using Xunit.Sdk;
using Xunit.v3;

namespace ProductCatalog.Tests.Integration.HighAvailability;

/// <summary>
/// Runs a class's tests in the order they are written, for fault tests that share one topology
/// and each leave it changed for the next.
/// </summary>
public sealed class DeclarationOrder : ITestCaseOrderer
{
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases)
        where TTestCase : notnull, ITestCase =>
        // Metadata tokens of a type's methods follow their order in the source.
        [.. testCases.OrderBy(t => (t as IXunitTestCase)?.TestMethod.Method.MetadataToken ?? int.MaxValue)];
}
