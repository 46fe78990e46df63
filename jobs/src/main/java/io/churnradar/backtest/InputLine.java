package io.churnradar.backtest;

/** One line of an input file, with where it came from. */
public class InputLine {
    public String file;
    public long line;
    public String text;

    public InputLine() {}

    public InputLine(String file, long line, String text) {
        this.file = file;
        this.line = line;
        this.text = text;
    }
}
