"""`manage.py import_stock`: upserts stock levels from a CSV and reports bad rows by line."""

from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from inventory import interface
from inventory.models import StockItem, StockMovement
from tests.factories.inventory import StockItemFactory

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, text: str):
    path = tmp_path / "stock.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(path, *args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_stock", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


def test_import_creates_and_updates_stock_and_says_what_it_did(tmp_path, published):
    """New SKUs get records, existing ones are set to the counted figure, unchanged ones are left alone."""
    StockItemFactory(sku="OLD", on_hand=4)
    StockItemFactory(sku="SAME", on_hand=6, low_stock_threshold=5)
    path = write_csv(tmp_path, "sku,on_hand,low_stock_threshold\nNEW,12,3\nOLD,9,\nSAME,6,5\n")

    out, err, error = run(path)

    assert error is None
    assert err == ""
    assert out.strip() == "Imported stock.csv: 1 created, 1 updated, 1 unchanged, 0 rejected."
    assert dict(StockItem.objects.values_list("sku", "on_hand")) == {"NEW": 12, "OLD": 9, "SAME": 6}
    assert StockItem.objects.get(sku="NEW").low_stock_threshold == 3
    old = StockMovement.objects.filter(sku="OLD").latest("id")
    assert (old.delta, old.reason, old.reference) == (5, "adjusted", "stock-import:stock.csv")
    assert [p["sku"] for p in published("inventory.stock_changed.v1")] == ["NEW", "OLD"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    """The upsert is idempotent: the second run reports every row unchanged and writes no ledger rows."""
    path = write_csv(tmp_path, "sku,qty\nA,5\nB,0\n")
    run(path)
    movements = StockMovement.objects.count()

    out, _, error = run(path)

    assert error is None
    assert out.strip() == "Imported stock.csv: 0 created, 0 updated, 2 unchanged, 0 rejected."
    assert StockMovement.objects.count() == movements == 1


def test_bad_rows_are_reported_by_line_and_reason_and_the_command_fails(tmp_path):
    """Each bad row is named with its line number and why; good rows are still applied; the exit is non-zero."""
    StockItemFactory(sku="HELD", on_hand=10)
    interface.reserve("CHK-1", {"HELD": 4})
    path = write_csv(
        tmp_path,
        "sku,on_hand,low_stock_threshold\n"
        "GOOD,5,\n"
        ",3,\n"
        "NEG,-1,\n"
        "WORD,many,\n"
        "GOOD,6,\n"
        "HELD,2,\n"
        "THR,4,-2\n"
        "ALSO-GOOD,1,\n",
    )

    out, err, error = run(path)

    assert err.splitlines() == [
        "line 3: sku is blank",
        "line 4: on_hand '-1' of NEG is not a whole number of 0 or more",
        "line 5: on_hand 'many' of WORD is not a whole number of 0 or more",
        "line 6: GOOD already appeared on line 2",
        "line 7: HELD has 4 reserved; stock on hand cannot be set to 2.",
        "line 8: low_stock_threshold '-2' of THR is not a whole number of 0 or more",
    ]
    assert out.strip() == "Imported stock.csv: 2 created, 0 updated, 0 unchanged, 6 rejected."
    assert error == "6 row(s) of stock.csv were rejected; see the lines above."
    assert dict(StockItem.objects.values_list("sku", "on_hand")) == {"GOOD": 5, "ALSO-GOOD": 1, "HELD": 10}


def test_rejected_rows_make_manage_py_exit_non_zero(tmp_path, capsys):
    """Run as a command line, a file with rejected rows exits with status 1."""
    path = write_csv(tmp_path, "sku,on_hand\nA,x\n")

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "import_stock", str(path)])

    assert exited.value.code == 1
    assert "line 2: on_hand 'x' of A is not a whole number of 0 or more" in capsys.readouterr().err


def test_a_file_without_the_needed_columns_is_refused_before_any_row(tmp_path):
    """A header without sku and a quantity column stops the import and names the columns found."""
    path = write_csv(tmp_path, "code,amount\nA,1\n")

    _, _, error = run(path)

    assert error == (
        "stock.csv needs a header row with 'sku' and 'on_hand' (or 'qty'/'quantity') columns; found code, amount."
    )
    assert StockItem.objects.count() == 0


def test_a_missing_file_is_reported(tmp_path):
    """A path that cannot be read is named in the error."""
    _, _, error = run(tmp_path / "nope.csv")

    assert error == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory"


def test_dry_run_reports_but_writes_nothing(tmp_path):
    """With --dry-run every row is checked and reported, and nothing is stored."""
    path = write_csv(tmp_path, "sku,on_hand\nA,5\nB,x\n")

    out, err, error = run(path, "--dry-run")

    assert out.strip() == "Checked (dry run, nothing written) stock.csv: 1 created, 0 updated, 0 unchanged, 1 rejected."
    assert err.strip() == "line 3: on_hand 'x' of B is not a whole number of 0 or more"
    assert error is not None
    assert StockItem.objects.count() == 0
