"""Airflow DAG: nightly retraining of the spark-cnn-trainer model on the YARN cluster, into a registry on HDFS,
promoted only if no worse.

Copy into the DAGs folder and set the Airflow Variable ``spark_cnn_trainer_home`` to the checkout; the worker
needs HADOOP_CONF_DIR and SPARK_HOME (set below). The driver runs in the cluster (cluster deploy mode); the task
submits it, waits, and fails on any non-zero exit code of the job, which ``retrain.sh`` passes on from the
cluster (2 config, 3 data, 4 training, 5 output or lock; 1 anything else).

A BashOperator calling ``retrain.sh``, not Airflow's SparkSubmitOperator: the operator would build its own
spark-submit command, without what ``submit.sh`` derives for this job (the executors' memory overhead and ND4J's
off-heap limits computed from the network and batch size, the Java 17 module options, Kryo with ND4J's
registrator, the job config shipped with the files it includes) and without the registry options, and it
reports a failed YARN application as one error, losing the job's exit code. ``retrain.sh`` is the path the
tests run against a real YARN (docs/cluster.md).
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
            "--master yarn --deploy-mode cluster --executors 4 --executor-cores 2 --executor-memory 4g "
            "--config conf/seed-cnn.conf"
        ),
        env={"LOCK_WAIT": "1800", "KEEP": "10", "HADOOP_CONF_DIR": "/etc/hadoop/conf", "SPARK_HOME": "/opt/spark"},
        append_env=True,
    )
