# Sourced by every script that runs python, so that they all use the same one: the project's
# .venv (scripts/setup.sh puts the test and study packages there, made with python3's site
# packages when python3's torch is the LibTorch), else python3.
#   source "$(dirname "${BASH_SOURCE[0]}")/python.sh"; py="$(ddm_python)"
ddm_python() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -x "$root/.venv/bin/python" ]; then
    echo "$root/.venv/bin/python"
  else
    command -v python3
  fi
}
