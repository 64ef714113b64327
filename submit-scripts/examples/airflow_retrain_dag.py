"""Airflow DAG: nightly retraining of the spark-cnn-trainer model into a registry, promoted only if no worse.

Copy into the DAGs folder and set the Airflow Variable ``spark_cnn_trainer_home`` to the checkout. The task
fails on any non-zero exit code of the job (2 config, 3 data, 4 training, 5 output or lock).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="spark_cnn_trainer_retrain",
    schedule="30 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # the registry lock would refuse a second run anyway
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
) as dag:
    BashOperator(
        task_id="retrain",
        cwd="{{ var.value.spark_cnn_trainer_home }}",
        bash_command=(
            "submit-scripts/retrain.sh --registry hdfs://namenode:8020/models/seed-cnn "
            "--config conf/seed-cnn.conf"
        ),
        env={"LOCK_WAIT": "1800", "KEEP": "10"},
        append_env=True,
    )
