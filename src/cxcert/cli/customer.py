"""`cxcert customer erase`: a customer's contacts out of the warehouse and the quarantine files (docs/privacy.md).

The number is hashed with the workspace's key, exactly as an ingest stores it; it is never printed. The work is
:mod:`cxcert.warehouse.erasure`; this module reads the number, checks the entity, and audit-trails the erasure
(counts and ingest ids only: nothing that identifies the customer).
"""

from __future__ import annotations

import hashlib
import sys

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

customer_app = typer.Typer(
    help="Personal data of one customer: erase their rows (docs/privacy.md).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(customer_app, name="customer")


@customer_app.command("erase")
def erase(
    entity: str = typer.Option(..., "--entity", help="The entity whose data hold the customer."),
    customer: str = typer.Option(
        ..., "--customer", help="The customer number as the source files hold it; - reads it from standard input."
    ),
    yes: bool = typer.Option(False, "--yes", help="Really erase (without it: only say what would go)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Erase one customer's contacts from the entity's warehouse data and quarantine files, in one atomic step.

    The number is hashed with the workspace's key (CXCERT_HOME/secrets/customer-key) and every contact with that
    customer key is taken out; contacts ingested before keyed hashing are matched by their plain SHA-256. Rejected
    rows showing the customer in the entity's quarantine files go too. The erasure is recorded in the audit trail
    with its counts only. Give `--customer -` to read the number from standard input (it then stays out of the
    shell's history). Erase it from the source files as well: ingesting them again would bring the rows back.

    Example:  cxcert customer erase --entity bank --customer 23317894 --yes
    """
    from cxcert.cli.site import workspace_entity
    from cxcert.cli.workspace import actor, workspace
    from cxcert.home import cxcert_home
    from cxcert.ingest.hashing import Pseudonymiser
    from cxcert.warehouse import Warehouse
    from cxcert.warehouse.erasure import erase_customer

    number = (sys.stdin.readline() if customer == "-" else customer).strip()
    if not number:
        raise CxcertError("--customer is empty: give the customer number (or - and the number on standard input)")
    if workspace_entity(entity) is None:
        raise CxcertError(f"unknown entity {entity!r} (`cxcert entity list` shows the entities)")
    pseudonyms = Pseudonymiser.of_workspace(cxcert_home())
    keyed = pseudonyms.one(number)
    assert keyed is not None
    keys = {
        pseudonyms.key_id: frozenset({keyed}),
        None: frozenset({hashlib.sha256(number.encode()).hexdigest()}),  # plain SHA-256, before keyed hashing
    }
    warehouse = Warehouse.default()
    if not yes:
        found = erase_customer(warehouse, entity, keys, raw=frozenset({number}), apply=False)
        raise CxcertError(
            f"this would erase {found.total} contact(s) of entity {entity!r} from {len(found.rows)} ingest(s) and "
            f"{sum(found.quarantined.values())} quarantined row(s); add --yes to erase them"
        )
    with workspace() as repos:
        done = erase_customer(warehouse, entity, keys, raw=frozenset({number}))
        repos.audit_trail.append(actor(), "customer.erased", f"entity:{entity}", done.as_json())
    if json_out:
        print_json(done.as_json())
        return
    print_table(
        f"customer erased from entity {entity}",
        ("ingest", "rows erased"),
        [*((i, n) for i, n in done.rows.items()), ("quarantine files", sum(done.quarantined.values()))],
    )
    if not done.total and not done.quarantined:
        console.print("no row of this customer was found (nothing changed)", highlight=False)
