"""Every shipped config validates; broken configs fail with one line naming key, value and what is allowed."""

from pathlib import Path

import pytest
import yaml

from distillery.config import ConfigError, load_config, validate_config

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
CONFIGS = sorted(CONFIG_DIR.glob("*.yaml"))
DEMO = CONFIG_DIR / "demo.yaml"


def test_configs_are_shipped():
    names = {p.name for p in CONFIGS}
    assert "demo.yaml" in names and len(names) >= 2, names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_shipped_config_validates(path):
    cfg = load_config(path)
    assert cfg.teacher.model and cfg.student.model


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_shipped_config_opens_with_its_command(path):
    opening = [line for line in path.read_text().splitlines()[:6] if line.startswith("#")]
    assert any("distillery " in line or "make " in line for line in opening), f"{path.name} does not say how to run it"


def broken_copy(tmp_path, edit) -> Path:
    data = yaml.safe_load(DEMO.read_text())
    edit(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_unknown_key_is_named_with_suggestion(tmp_path):
    path = broken_copy(tmp_path, lambda d: d["teacher"].update(max_tokns=128))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert len(message.splitlines()) == 1
    assert "teacher.max_tokns" in message and "did you mean 'max_tokens'" in message and str(path) in message


def test_out_of_range_value_names_key_value_and_bound(tmp_path):
    path = broken_copy(tmp_path, lambda d: d["teacher"].update(temperature=5))
    with pytest.raises(ConfigError, match=r"teacher\.temperature = 5: .*less than or equal to 2"):
        load_config(path)


def test_bad_enum_lists_allowed_values(tmp_path):
    path = broken_copy(tmp_path, lambda d: d["student"]["quant"].update(quant_type="nf5"))
    with pytest.raises(ConfigError, match=r"student\.quant\.quant_type = 'nf5': .*'nf4' or 'fp4'"):
        load_config(path)


def test_unknown_bundled_model_lists_bundled_ones():
    with pytest.raises(ConfigError, match=r"teacher\.model = 'demo:gpt-9'.*demo:smollm2-135m-instruct"):
        validate_config({"teacher": {"model": "demo:gpt-9"}})


def test_every_problem_gets_its_own_line():
    with pytest.raises(ConfigError) as err:
        validate_config({"teacher": {"concurrency": 0}, "sampling": {"budget": "many"}})
    assert len(str(err.value).splitlines()) == 2


def test_overrides_are_typed_and_win_over_yaml():
    cfg = load_config(DEMO, ["teacher.max_tokens=128", "teacher.launch.cpu_omp_threads_bind=0"])
    assert cfg.teacher.max_tokens == 128
    assert cfg.teacher.launch.cpu_omp_threads_bind == "0"


def test_override_into_a_value_is_refused():
    with pytest.raises(ConfigError, match="teacher.max_tokens is a value, not a section"):
        load_config(DEMO, ["teacher.max_tokens.x=1"])


def test_override_without_equals_is_refused():
    with pytest.raises(ConfigError, match="expected key.path=value"):
        load_config(None, ["teacher.max_tokens"])


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("teacher:\n  model: [unclosed\n")
    with pytest.raises(ConfigError, match=r"not valid YAML at line \d"):
        load_config(path)


def test_config_hash_follows_content_not_source(tmp_path):
    from_file = load_config(DEMO)
    copy = tmp_path / "copy.yaml"
    copy.write_text(DEMO.read_text())
    assert load_config(copy).config_hash() == from_file.config_hash()
    assert load_config(copy, ["teacher.max_tokens=7"]).config_hash() != from_file.config_hash()


def test_sampling_window_must_be_ordered():
    with pytest.raises(ConfigError, match=r"sampling.window = .*start 2026-11-12 00:00:00 is not before end 2026-11-10"):
        load_config(None, ["sampling.window.start=2026-11-12", "sampling.window.end=2026-11-10"])


def test_window_defaults_to_the_day_before_the_run_date():
    from datetime import UTC, date, datetime

    start, end = load_config(None, []).sampling.window.bounds(date(2026, 11, 23))
    assert (start, end) == (datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))


def test_weights_allocation_needs_weights_and_columns_must_be_ours():
    with pytest.raises(ConfigError, match=r"allocation is 'weights' but route_weights is empty"):
        load_config(None, ["sampling.allocation=weights"])
    with pytest.raises(ConfigError, match=r"source.columns = .*unknown log column\(s\) \['timestamp'\]; ours are request_id, created_at"):
        load_config(None, ["source.columns={timestamp: ts}"])
