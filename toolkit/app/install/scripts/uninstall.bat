@echo off
chcp 936 >nul
rem xxgk-toolkit 卸载：删除本工具的虚拟环境，并从 xlwings 的用户设置中去掉本工具写入的 Python。
setlocal EnableExtensions DisableDelayedExpansion
set "HOME_DIR=%LOCALAPPDATA%\xxgk-toolkit"
set "VENV=%LOCALAPPDATA%\xxgk-toolkit\venv"
if not exist "%HOME_DIR%" goto :absent
if exist "%VENV%\Scripts\xxgk.exe" "%VENV%\Scripts\xxgk.exe" excel-config --remove
rmdir /s /q "%HOME_DIR%"
if exist "%HOME_DIR%" goto :in_use
echo 已卸载 xxgk-toolkit。各单位的工作簿不受影响（其中的按钮在重新安装前不能使用）。
pause
exit /b 0

:absent
echo 本电脑上没有安装 xxgk-toolkit（%HOME_DIR% 不存在）。
pause
exit /b 0

:in_use
echo 无法删除 %HOME_DIR%：可能有 Excel 或命令行窗口正在使用它。请关闭后重新运行本文件。
pause
exit /b 1
