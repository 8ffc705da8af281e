using Kallglot.Credits;

namespace Kallglot.Tests.Credits;

public sealed class CreditBudgetTests
{
    [Fact]
    public async Task Many_threads_reserving_at_once_take_exactly_the_limit()
    {
        var budget = new CreditBudget(500);
        var taken = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (budget.TryReserve())
                {
                    Interlocked.Increment(ref taken);
                }
            }
        })));

        Assert.Equal(500, taken);
        Assert.Equal(500, budget.Spent);
        Assert.Equal(0, budget.Left);
    }

    [Fact]
    public void A_reservation_takes_from_every_budget_or_from_none()
    {
        var command = new CreditBudget(5);
        var process = new CreditBudget(1);

        var first = CreditReservation.TryTake(command, process);
        var second = CreditReservation.TryTake(command, process);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal((1, 1), (command.Spent, process.Spent));
        first!.Release();
        first.Release();
        Assert.Equal((0, 0), (command.Spent, process.Spent));
    }

    [Fact]
    public void A_copy_counts_on_its_own()
    {
        var budget = new CreditBudget(3);
        budget.TryReserve();

        var dryRun = budget.Copy();
        dryRun.TryReserve();
        dryRun.TryReserve();

        Assert.Equal(1, budget.Spent);
        Assert.Equal(3, dryRun.Spent);
        Assert.False(dryRun.TryReserve());
    }
}
