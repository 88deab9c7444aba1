#!/bin/sh
# xxgk-toolkit @@VERSION@@ 离线安装（Linux、macOS；不需要管理员权限，不需要网络）。
# 为当前用户建立本工具自己的 Python 虚拟环境，从本文件夹的 wheels 安装，然后检查安装是否可用。
set -u
BUNDLE=$(cd "$(dirname "$0")" && pwd)
HOME_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/xxgk-toolkit"
VENV="$HOME_DIR/venv"
echo "正在安装 xxgk-toolkit @@VERSION@@（政府信息公开工作年度报告工具）……"

PY=""
for candidate in python@@PYTHON@@ python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c "import sys; sys.exit(0 if sys.version_info[:2] == (@@PYTHON_TUPLE@@) else 1)" 2>/dev/null; then
        PY="$candidate"; break
    fi
done
if [ -z "$PY" ]; then
    echo "没有找到 Python @@PYTHON@@：请先安装它（含 venv 模块），然后重新运行本文件。详见“安装说明.txt”。"
    exit 1
fi

rm -rf "$VENV"
mkdir -p "$HOME_DIR"
"$PY" -m venv "$VENV" || { echo "建立虚拟环境失败（$VENV）：请确认 Python 的 venv 模块已安装。"; exit 1; }
"$VENV/bin/python" -m pip install --no-index --find-links "$BUNDLE/wheels" --disable-pip-version-check \
    "xxgk-toolkit==@@VERSION@@" ||
    { echo "从 wheels 文件夹安装失败：安装包可能不完整，或是为别的 Python 版本或平台制作的。"; exit 1; }
"$VENV/bin/xxgk" excel-config || exit 1
"$VENV/bin/xxgk" selftest || { echo "安装没有完成。"; exit 1; }
echo "安装完成。命令行工具：本文件夹中的 xxgk.sh（用法与 xxgk 命令相同）。"
