namespace AutoGradRnn;

/// <summary>Type names as C# writes them (<c>Dictionary&lt;string, Tensor&lt;float&gt;&gt;</c>), for error messages.</summary>
internal static class TypeNames
{
    private static readonly Dictionary<Type, string> keywords = new()
    {
        [typeof(float)] = "float", [typeof(double)] = "double", [typeof(int)] = "int", [typeof(long)] = "long",
        [typeof(bool)] = "bool", [typeof(string)] = "string", [typeof(object)] = "object", [typeof(decimal)] = "decimal",
    };

    public static string Of(Type type)
    {
        if (keywords.TryGetValue(type, out var keyword)) return keyword;
        if (type.IsArray) return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (!type.IsGenericType) return type.Name;
        var name = type.Name;
        int tick = name.IndexOf('`');
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GetGenericArguments().Select(Of)) + ">";
    }
}
