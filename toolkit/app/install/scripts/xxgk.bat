@echo off
chcp 936 >nul
rem xxgk 命令行工具：在“命令提示符”中运行 xxgk.bat consolidate ……（用法与 xxgk 命令相同），
rem 或把各单位报送工作簿所在的文件夹拖到本文件上，输入年度和汇总单位名称后，汇总为同一位置的“文件夹名_汇总.xlsx”。
setlocal EnableExtensions DisableDelayedExpansion
set "XXGK=%LOCALAPPDATA%\xxgk-toolkit\venv\Scripts\xxgk.exe"
if not exist "%XXGK%" goto :no_unit
echo 没有输入汇总单位的名称，未汇总。
pause
exit /b 2

:not_installed
if "%~1"=="" goto :usage
if exist "%~1\*" goto :folder
"%XXGK%" %*
exit /b %errorlevel%

:folder
set "INPUT=%~f1"
set "OUTPUT=%~f1_汇总.xlsx"
set "N=1"
:next_name
if not exist "%OUTPUT%" goto :ask_year
set /a N+=1
set "OUTPUT=%~f1_汇总（%N%）.xlsx"
goto :next_name
:ask_year
set "YEAR="
for /f %%y in ('powershell -NoProfile -Command "(Get-Date).Year - 1"') do set "YEAR=%%y"
set "TYPED="
set /p TYPED=汇总哪一年度的年报？直接回车为 %YEAR% 年度：
if defined TYPED set "YEAR=%TYPED%"
set "UNIT="
set /p UNIT=汇总单位的名称（如 某某县；写入汇总工作簿，上一级汇总时按它识别本单位）：
if not defined UNIT goto :no_unit
"%XXGK%" consolidate "%INPUT%" --year %YEAR% --unit "%UNIT%" -o "%OUTPUT%"
echo.
if exist "%OUTPUT%" echo 汇总工作簿：%OUTPUT%
pause
exit /b 0

:usage
"%XXGK%" --help
echo.
echo 用法：在“命令提示符”中运行  xxgk.bat 命令 参数……，例如  xxgk.bat consolidate 各单位 --year 2025 --unit 某某县 -o 汇总.xlsx
echo 或者把各单位报送工作簿所在的文件夹拖到 xxgk.bat 上。
pause
exit /b 0

:no_unit
echo 没有输入汇总单位的名称，未汇总。
pause
exit /b 2

:not_installed
echo 本电脑上还没有安装 xxgk-toolkit：请先运行本文件夹中的“安装.bat”。
pause
exit /b 1
