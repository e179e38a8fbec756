namespace ProductCatalog.Api.Http;

/// <summary>Rules every free-text field shares.</summary>
public static class TextRules
{
    /// <summary>
    /// True when the text holds control characters (NUL cannot even be stored by PostgreSQL) or
    /// unpaired UTF-16 surrogates. Tabs and line breaks are allowed only in multi-line fields.
    /// </summary>
    public static bool HasForbiddenCharacters(string text, bool multiLine = false)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return true;
            }

            if (char.IsLowSurrogate(c))
            {
                return true;
            }

            if (char.IsControl(c) && !(multiLine && c is '\t' or '\n' or '\r'))
            {
                return true;
            }
        }

        return false;
    }
}
