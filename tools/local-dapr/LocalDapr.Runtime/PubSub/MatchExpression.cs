using System.Text.Json.Nodes;

namespace LocalDapr.PubSub;

/// <summary>
/// The subset of CEL that subscription route rules use in practice: event.attr == / != "literal", combined with
/// &amp;&amp;, ||, ! and parentheses. Anything else is refused when the subscription loads, not silently misrouted.
/// </summary>
public abstract record MatchExpression
{
    public abstract bool Evaluate(JsonObject envelope);

    public static MatchExpression Parse(string text)
    {
        var parser = new Parser(Tokenize(text));
        var expression = parser.ParseOr();
        if (!parser.AtEnd)
        {
            throw new FormatException($"unexpected '{parser.Peek}'");
        }

        return expression;
    }

    private sealed record Or(MatchExpression Left, MatchExpression Right) : MatchExpression
    {
        public override bool Evaluate(JsonObject envelope) => Left.Evaluate(envelope) || Right.Evaluate(envelope);
    }

    private sealed record And(MatchExpression Left, MatchExpression Right) : MatchExpression
    {
        public override bool Evaluate(JsonObject envelope) => Left.Evaluate(envelope) && Right.Evaluate(envelope);
    }

    private sealed record Not(MatchExpression Inner) : MatchExpression
    {
        public override bool Evaluate(JsonObject envelope) => !Inner.Evaluate(envelope);
    }

    private sealed record Constant(bool Value) : MatchExpression
    {
        public override bool Evaluate(JsonObject envelope) => Value;
    }

    private sealed record Compare(string Attribute, string Literal, bool Equal) : MatchExpression
    {
        public override bool Evaluate(JsonObject envelope)
        {
            var actual = envelope[Attribute] is JsonValue v ? v.ToString() : null;
            return string.Equals(actual, Literal, StringComparison.Ordinal) == Equal;
        }
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '\'')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw new FormatException("unterminated string");
                }

                tokens.Add(text[i..(end + 1)]);
                i = end + 1;
            }
            else if (i + 1 < text.Length && text.Substring(i, 2) is "==" or "!=" or "&&" or "||")
            {
                tokens.Add(text.Substring(i, 2));
                i += 2;
            }
            else if (c is '(' or ')' or '!')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else
            {
                throw new FormatException($"unexpected character '{c}'");
            }
        }

        return tokens;
    }

    private sealed class Parser(List<string> tokens)
    {
        private int _position;

        public bool AtEnd => _position >= tokens.Count;
        public string Peek => AtEnd ? "<end>" : tokens[_position];

        public MatchExpression ParseOr()
        {
            var left = ParseAnd();
            while (Peek == "||")
            {
                _position++;
                left = new Or(left, ParseAnd());
            }

            return left;
        }

        private MatchExpression ParseAnd()
        {
            var left = ParseUnary();
            while (Peek == "&&")
            {
                _position++;
                left = new And(left, ParseUnary());
            }

            return left;
        }

        private MatchExpression ParseUnary()
        {
            var token = Next();
            switch (token)
            {
                case "!":
                    return new Not(ParseUnary());
                case "(":
                    var inner = ParseOr();
                    Expect(")");
                    return inner;
                case "true":
                    return new Constant(true);
                case "false":
                    return new Constant(false);
            }

            if (!token.StartsWith("event.", StringComparison.Ordinal) || token.Length <= 6)
            {
                throw new FormatException($"expected event.<attribute>, got '{token}'");
            }

            var op = Next();
            if (op is not ("==" or "!="))
            {
                throw new FormatException($"expected == or !=, got '{op}'");
            }

            var literal = Next();
            if (literal.Length < 2 || literal[0] is not ('"' or '\''))
            {
                throw new FormatException($"expected a quoted string, got '{literal}'");
            }

            return new Compare(token[6..], literal[1..^1], op == "==");
        }

        private string Next() => AtEnd ? throw new FormatException("unexpected end of expression") : tokens[_position++];

        private void Expect(string token)
        {
            if (Next() != token)
            {
                throw new FormatException($"expected '{token}'");
            }
        }
    }
}
