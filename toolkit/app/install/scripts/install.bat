@echo off
chcp 936 >nul
rem xxgk-toolkit @@VERSION@@ 离线安装（不需要管理员权限，不需要网络）。
rem 为当前用户建立本工具自己的 Python 虚拟环境 %LOCALAPPDATA%\xxgk-toolkit\venv，
rem 从本文件夹的 wheels 安装，并写入 xlwings 的用户设置，让各工作簿的按钮找到这个 Python。
setlocal EnableExtensions DisableDelayedExpansion
set "BUNDLE=%~dp0"
set "HOME_DIR=%LOCALAPPDATA%\xxgk-toolkit"
set "VENV=%LOCALAPPDATA%\xxgk-toolkit\venv"
set "PYRUN="
echo 正在安装 xxgk-toolkit @@VERSION@@（政府信息公开工作年度报告工具）……
echo.

rem 1. 找 Python @@PYTHON@@（64 位）：py 启动器、常见的安装位置、PATH 中的 python，依次尝试。
py -@@PYTHON@@-64 -c "import sys" >nul 2>&1
if not errorlevel 1 set "PYRUN=py -@@PYTHON@@-64"
if defined PYRUN goto :found
call :try_python "%LOCALAPPDATA%\Programs\Python\Python@@PYTHON_DIGITS@@\python.exe"
if defined PYRUN goto :found
call :try_python "%ProgramFiles%\Python@@PYTHON_DIGITS@@\python.exe"
if defined PYRUN goto :found
call :try_python python
if defined PYRUN goto :found
echo 没有找到 Python @@PYTHON@@（64 位）。
echo 请先安装 Python @@PYTHON@@ 的 64 位版本（Windows installer 64-bit），安装时勾选“Add python.exe to PATH”，
echo 然后重新运行本文件。详见本文件夹中的“安装说明.txt”。
goto :failed

:found
rem 2. 解除下载文件的锁定（从网上或聊天工具收到的文件带有“来自其他计算机”标记，其中模板的宏会被阻止）。
powershell -NoProfile -ExecutionPolicy Bypass -Command "Get-ChildItem -LiteralPath $env:BUNDLE -Recurse | Unblock-File" >nul 2>&1

rem 3. 建立虚拟环境（已有时先删除旧的，即升级或重装）。
if exist "%VENV%" rmdir /s /q "%VENV%"
if exist "%VENV%" goto :in_use
%PYRUN% -m venv "%VENV%"
if errorlevel 1 goto :venv_failed

rem 4. 从 wheels 文件夹安装，不连接网络。
"%VENV%\Scripts\python.exe" -m pip install --no-index --find-links "%BUNDLE%wheels" --disable-pip-version-check --no-warn-script-location xxgk-toolkit==@@VERSION@@
if errorlevel 1 goto :pip_failed

rem 5. 让 Excel 的按钮使用这个 Python（写入 %USERPROFILE%\.xlwings\xlwings.conf）。
"%VENV%\Scripts\xxgk.exe" excel-config
if errorlevel 1 goto :failed

rem 6. 检查安装是否可用。
"%VENV%\Scripts\xxgk.exe" selftest
if errorlevel 1 goto :failed
echo.
echo 安装完成。命令行工具：本文件夹中的 xxgk.bat（可把各单位报送的文件夹拖到它上面进行汇总）。
echo 空白模板在“空白模板”文件夹中。打开带按钮的 .xlsm 工作簿时，请点“启用内容”。
pause
exit /b 0

:try_python
"%~1" -c "import struct, sys; sys.exit(0 if sys.version_info[:2] == (@@PYTHON_TUPLE@@) and struct.calcsize('P') == 8 else 1)" >nul 2>&1
if not errorlevel 1 set PYRUN="%~1"
exit /b 0

:in_use
echo 无法删除旧的安装 %VENV%：可能有 Excel 或命令行窗口正在使用它。请关闭 Excel 和其他命令行窗口后重新运行本文件。
goto :failed

:venv_failed
echo 建立虚拟环境失败（%VENV%）。请确认 Python 安装完整（安装时勾选 pip 和 venv），然后重新运行本文件。
goto :failed

:pip_failed
echo 从 wheels 文件夹安装失败：安装包可能不完整，或是为别的 Python 版本制作的（本安装包适用于 Python @@PYTHON@@ 64 位）。
echo 请向县政务公开办索取完整的安装包。
goto :failed

:failed
echo.
echo 安装没有完成。
pause
exit /b 1
