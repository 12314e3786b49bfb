using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// One value for each EF Core model, made the first time a context of that model asks for it. A compiled query is bound to
/// the model of the first context it runs on (EF Core throws when a context of another model runs it), and one process may
/// hold contexts of several models (the tests hold PostgreSQL's and SQLite's), so what is compiled is kept per model.
/// </summary>
public sealed class PerModel<T> where T : class
{
    private readonly ConditionalWeakTable<IModel, T> _values = new();
    private readonly ConditionalWeakTable<IModel, T>.CreateValueCallback _create;

    /// <param name="create">
    /// Makes the value for a model. Threads that ask for a new model at the same time may each call it; one value is kept and
    /// every caller gets that one (<see cref="ConditionalWeakTable{TKey, TValue}.GetValue"/>), so it must have no side effects.
    /// </param>
    public PerModel(Func<T> create) => _create = _ => create();

    /// <summary>The value for <paramref name="db"/>'s model.</summary>
    public T For(DbContext db) => _values.GetValue(db.Model, _create);
}

/// <summary>
/// A query of one parameter that EF Core compiles once per model (<c>EF.CompileAsyncQuery</c>), for a read run on every call
/// of a hot path (a case, a custody or medical record by its case id). A LINQ query pays on each run to build its expression
/// tree, extract its parameters and hash the tree to find its compiled form in EF Core's cache: about a tenth of each
/// service's CPU under case-file reads (docs/performance.md, "Reads by key compiled once"). A compiled query skips all three,
/// and leaves EF Core's query cache alone.
/// </summary>
/// <typeparam name="TContext">The context the query reads.</typeparam>
/// <typeparam name="TParam">Its one parameter (a key).</typeparam>
/// <typeparam name="TResult">What it returns: an entity or null, with <c>SingleOrDefault</c> or <c>FirstOrDefault</c> last.</typeparam>
/// <param name="query">The query; its <see cref="CancellationToken"/> parameter is the call's, passed by EF Core to the database.</param>
public sealed class CompiledQuery<TContext, TParam, TResult>(Expression<Func<TContext, TParam, CancellationToken, TResult>> query)
    where TContext : DbContext
{
    private readonly PerModel<Func<TContext, TParam, CancellationToken, Task<TResult>>> _compiled = new(() => EF.CompileAsyncQuery(query));

    /// <summary>Runs the query on <paramref name="db"/> with <paramref name="param"/>.</summary>
    public Task<TResult> RunAsync(TContext db, TParam param, CancellationToken ct) => _compiled.For(db)(db, param, ct);
}
