"""Reads the TensorBoard event files under a folder with TensorBoard's own reader
(tensorboard.backend.event_processing.EventAccumulator) and prints, as JSON, every run's
scalars ({run: {tag: [[step, value], ...]}}) and histograms ({run: {tag: [[step, count], ...]}}).

    python read_tensorboard.py DIR
"""
import json
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def main(folder):
    result = {"scalars": {}, "histograms": {}}
    for run in sorted(os.listdir(folder)):
        accumulator = EventAccumulator(os.path.join(folder, run), size_guidance={"scalars": 0, "histograms": 0})
        accumulator.Reload()
        tags = accumulator.Tags()
        result["scalars"][run] = {
            tag: [[event.step, event.value] for event in accumulator.Scalars(tag)] for tag in tags["scalars"]
        }
        result["histograms"][run] = {
            tag: [[event.step, event.histogram_value.num] for event in accumulator.Histograms(tag)] for tag in tags["histograms"]
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
