public enum _TS {}
