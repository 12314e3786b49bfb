using System.Linq.Expressions;
using Registry.Intake.Domain;
using Registry.Intake.Features.Search;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>
/// PostgreSQL evaluates the parts of a name search's condition in the order written, in a bitmap scan's recheck and in its
/// filter alike, stopping at the first that decides; pg_trgm's similarity costs about 9 µs a case where a LIKE costs a
/// tenth of one (docs/performance.md, "The order of a name search's conditions"). So the whole-name arm comes first, led by
/// the LIKEs of its key's halves, then each arm of all words but one led by its first-letter LIKEs, with the whole key's
/// similarity last: a case found by a common word of the query is then
/// turned away by LIKEs, not by a word's similarity computed first.
/// </summary>
public sealed class CaseSearchQueryOrderTests
{
    [Fact]
    public void The_whole_name_arm_is_written_first_led_by_its_halves_with_its_similarity_last()
    {
        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = "Krepatyh Aleksandr", PageSize = 20 });
        var whole = search.NameWords!.Whole!;
        var (first, second) = NameSearch.Halves(whole);

        var condition = WhereBody(Array.Empty<CaptureCase>().AsQueryable().Matching(search, fuzzy: true));

        var or = Assert.IsAssignableFrom<BinaryExpression>(condition);
        Assert.Equal(ExpressionType.OrElse, or.NodeType);
        var wholeArm = Leaves(or.Left);
        Assert.Equal("Like", wholeArm[0].Method.Name);
        Assert.Equal($"%{first}%", Value(wholeArm[0].Arguments[2]));
        Assert.Equal($"%{second}%", Value(wholeArm[1].Arguments[2]));
        // Then the first arm of all words but one (the first word missing): its first-letter LIKE leads, before the other word.
        Assert.Equal("Like", wholeArm[2].Method.Name);
        var begins = Assert.IsType<string>(Value(wholeArm[2].Arguments[2]));
        Assert.Equal($"{begins[0]}%", begins);
        Assert.Contains(begins[0], search.NameWords!.Words[0].FirstLetters);
        Assert.Equal("TrigramsStrictWordSimilarity", wholeArm[^1].Method.Name);
        Assert.DoesNotContain(Leaves(or.Right), call => call.Method.Name == "TrigramsStrictWordSimilarity");
    }

    /// <summary>The condition of the query's Where (the only one: a name alone, merged cases left out by a second).</summary>
    private static Expression WhereBody(IQueryable<CaptureCase> query)
    {
        var wheres = new List<LambdaExpression>();
        var node = query.Expression;
        while (node is MethodCallExpression call)
        {
            if (call.Method.Name == nameof(Queryable.Where))
            {
                wheres.Add((LambdaExpression)((UnaryExpression)call.Arguments[1]).Operand);
            }

            node = call.Arguments[0];
        }

        // Where calls nest outermost last: the name's is the first applied.
        return wheres[^1].Body;
    }

    /// <summary>The method calls of a condition, in the order PostgreSQL meets them (left to right).</summary>
    private static List<MethodCallExpression> Leaves(Expression expression)
    {
        var calls = new List<MethodCallExpression>();
        Walk(expression);
        return calls;

        void Walk(Expression e)
        {
            switch (e)
            {
                case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } b:
                    Walk(b.Left);
                    Walk(b.Right);
                    break;
                case BinaryExpression b when b.Left is MethodCallExpression left:
                    calls.Add(left);
                    break;
                case MethodCallExpression call:
                    calls.Add(call);
                    break;
            }
        }
    }

    private static object? Value(Expression expression) => Expression.Lambda(expression).Compile().DynamicInvoke();
}
