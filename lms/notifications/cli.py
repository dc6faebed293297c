"""``lms worker``: deliver the outbox and run the periodic jobs."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option(
    "--embedded",
    is_flag=True,
    help="Poll the database outbox (no Redis needed); what `make run` starts.",
)
@click.option(
    "--burst", is_flag=True, help="Deliver what is due now (or the RQ jobs queued), then stop."
)
@with_appcontext
def worker(embedded, burst):
    """Deliver email from the outbox and run the periodic jobs (reminders, digests).

    With LMS_REDIS_URL (and not --embedded): an RQ worker on the queue `lms`; start as many
    as you like, on as many hosts: none sends a message twice. Otherwise: the embedded
    worker, which polls the outbox every 2 seconds.
    """
    from lms.notifications import delivery
    from lms.notifications import worker as workers

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("lms").setLevel(logging.INFO)
    app = current_app._get_current_object()
    redis = app.config.get("LMS_REDIS_URL") and not embedded
    if burst and redis:
        workers.run_rq_worker(app, burst=True)
        return
    if burst:
        done = delivery.deliver_due()
        workers.run_periodic({})
        click.echo(f"sent {done.sent}, to retry {done.retry}, failed {done.failed}")
        return
    if redis:
        workers.run_rq_worker(app)
    else:
        try:
            workers.run_embedded(app)
        except KeyboardInterrupt:
            click.echo("worker stopped")
