@echo off
chcp 936 >nul
rem 检查 xxgk-toolkit 是否安装好：版本、宏源文件和模板、示例工作簿的校验、Excel 按钮的设置。
setlocal EnableExtensions DisableDelayedExpansion
set "XXGK=%LOCALAPPDATA%\xxgk-toolkit\venv\Scripts\xxgk.exe"
if not exist "%XXGK%" goto :not_installed
"%XXGK%" --version
if errorlevel 1 goto :broken
"%XXGK%" selftest
if errorlevel 1 goto :broken
echo.
echo 安装正常，可以使用。
pause
exit /b 0

:not_installed
echo 没有安装：找不到 %XXGK%。请运行本文件夹中的“安装.bat”。
pause
exit /b 1

:broken
echo.
echo 安装有问题（见上面的说明）。请重新运行“安装.bat”；仍有问题时，把本窗口的内容截图发给县政务公开办。
pause
exit /b 1
